"""A step that leaves work for the end of its process: a non-daemon thread and an atexit
handler (as logging, metrics clients and the like do). A task must exit like `python -m`."""

import atexit
import os
import threading
import time

from flowc import FlowSpec, Parameter, step


class ExitHandlersFlow(FlowSpec):
    where = Parameter("where", help="a directory for the marker files")

    @step
    def start(self):
        path = os.path.join(self.where, "thread")

        def finish_later():
            time.sleep(0.2)
            with open(path, "w") as out:
                out.write("done")

        threading.Thread(target=finish_later).start()
        atexit.register(lambda: open(os.path.join(self.where, "atexit"), "w").close())
        self.next(self.end)

    @step
    def end(self):
        self.seen = sorted(os.listdir(self.where))
