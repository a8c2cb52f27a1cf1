"""A module with steps but no FlowSpec subclass."""  # error: [FLC002]

from flowc import step


class NotAFlow:
    @step
    def start(self):
        pass
