"""@environment values that Argo would read as expressions: the shim sets them itself."""

import os

from flowc import FlowSpec, environment, step


class EnvBracesFlow(FlowSpec):
    @environment(vars={"BRACES": "{{workflow.uid}} $(whoami) 'q' \"dq\" é", "PLAIN": "plain"})
    @step
    def start(self):
        self.braces = os.environ["BRACES"]
        self.plain = os.environ["PLAIN"]
        self.next(self.end)

    @step
    def end(self):
        pass
