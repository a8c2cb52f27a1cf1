import os

from flowc import FlowSpec, environment, resources, retry, schedule, step, timeout

from settings import TIMES  # imported: flowc never runs user code, so its value is unknown

MEMORY = 4096  # a module-level constant: static
CRON = os.environ.get("CRON", "0 3 * * *")


@schedule(cron=CRON)  # error: [FLC203]
class ValueNeededFlow(FlowSpec):
    @retry(times=TIMES)  # error: [FLC203]
    @timeout(seconds=int("5"))  # error: [FLC203]
    @step
    def start(self):
        self.next(self.train)

    @resources(memory=MEMORY, cpu=os.cpu_count())  # error: [FLC203]
    @environment(vars={"MODE": os.environ["MODE"]})  # error: [FLC203]
    @step
    def train(self):
        self.next(self.end)

    @step
    def end(self):
        pass
