"""A foreach whose body is several steps: each item goes through all of them in order."""

from flowc import FlowSpec, step


class ForeachMultistepBodyFlow(FlowSpec):
    """start fans out over documents; tokenize -> count -> classify per document, then join."""

    @step
    def start(self):
        self.documents = ["The cat sat", "A dog ran very far", "Birds sing"]
        self.next(self.tokenize, foreach="documents")

    @step
    def tokenize(self):
        self.tokens = self.input.lower().split()
        self.next(self.count)

    @step
    def count(self):
        self.token_count = len(self.tokens)
        self.next(self.classify)

    @step
    def classify(self):
        self.size = "long" if self.token_count > 3 else "short"
        self.next(self.join)

    @step
    def join(self, inputs):
        self.total_tokens = sum(task.token_count for task in inputs)
        self.sizes = sorted(task.size for task in inputs)
        self.next(self.end)

    @step
    def end(self):
        print(f"{self.total_tokens} tokens; sizes {self.sizes}")


if __name__ == "__main__":
    ForeachMultistepBodyFlow()
