"""The README example: the smallest flow that does something."""

from flowc import FlowSpec, step


class HelloFlow(FlowSpec):
    """Three steps in a line: start picks a greeting, hello builds a message, end prints it."""

    @step
    def start(self):
        self.greeting = "hello"
        self.next(self.hello)

    @step
    def hello(self):
        self.message = f"{self.greeting}, world"
        self.next(self.end)

    @step
    def end(self):
        print(self.message)


if __name__ == "__main__":
    HelloFlow()
