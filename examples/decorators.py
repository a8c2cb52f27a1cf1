"""Every step decorator, and @schedule and @project on the class, with module-level constants."""

from flowc import (
    FlowSpec,
    batch,
    catch,
    environment,
    kubernetes,
    project,
    resources,
    retry,
    schedule,
    secrets,
    step,
    timeout,
)

MEMORY_MB = 4096
IMAGE = "python:3.11-slim"
RETRIES = 2


@project(name="decorator_tour")
@schedule(cron="30 6 * * 1-5", timezone="Europe/Paris")
class DecoratorsFlow(FlowSpec):
    """Runs at 06:30 Paris time on weekdays; each step shows how it asks for what it needs."""

    @retry(times=RETRIES, minutes_between_retries=1)
    @timeout(minutes=10)
    @step
    def start(self):
        self.rows = [1, 2, 3, 4]
        self.next(self.train)

    @resources(cpu=2, memory=MEMORY_MB)
    @environment(vars={"TRAINING_MODE": "demo"})
    @kubernetes(image=IMAGE, cpu=2, memory=MEMORY_MB)
    @step
    def train(self):
        self.weights = [row * 0.5 for row in self.rows]
        self.next(self.score)

    @batch(cpu=1, memory=MEMORY_MB, queue="scoring")
    @secrets(sources=["scoring-api-key"])
    @step
    def score(self):
        self.score_total = sum(self.weights)
        self.next(self.audit)

    @catch(var="audit_error")
    @step
    def audit(self):
        """Fails on purpose (a division by zero); @catch stores the error and the run goes on."""
        self.ratio = self.score_total / (len(self.rows) - 4)
        self.next(self.end)

    @step
    def end(self):
        self.audit_failed = self.audit_error is not None
        print(f"score {self.score_total}, audit failed: {self.audit_failed}")


if __name__ == "__main__":
    DecoratorsFlow()
