"""Shim test flow: output after the step returns (a thread, an atexit handler) must not reach
the shim's stdout, which carries only the outputs JSON."""

import atexit
import os
import threading
import time

from flowc import FlowSpec, current, step

atexit.register(lambda: print("atexit noise", flush=True))


class ShimLeftoversFlow(FlowSpec):
    @step
    def start(self):
        record = os.path.join(os.environ["FLOWC_DATASTORE"], current.flow_name, "runs",
                              current.run_id, "start", current.task_id, "record.json")

        def after_the_task():  # prints once the task is done (its record is written)
            deadline = time.monotonic() + 30
            while not os.path.exists(record) and time.monotonic() < deadline:
                time.sleep(0.01)
            if not os.path.exists(record):
                print("record never appeared", flush=True)
            print("thread noise", flush=True)
            os.write(1, b"thread fd noise\n")

        threading.Thread(target=after_the_task).start()  # non-daemon: exit waits for it
        self.next(self.end)

    @step
    def end(self):
        pass
