"""A static split: two branches run in parallel and a join step brings them together."""

from flowc import FlowSpec, step


class BranchFlow(FlowSpec):
    """start splits into count_words and count_letters; join merges what both found."""

    @step
    def start(self):
        self.text = "the quick brown fox jumps over the lazy dog"
        self.next(self.count_words, self.count_letters)

    @step
    def count_words(self):
        self.words = len(self.text.split())
        self.next(self.join)

    @step
    def count_letters(self):
        self.letters = sum(1 for char in self.text if char.isalpha())
        self.next(self.join)

    @step
    def join(self, inputs):
        """Read each branch by name, then merge the artifacts they agree on."""
        self.summary = f"{inputs.count_words.words} words, {inputs.count_letters.letters} letters"
        self.merge_artifacts(inputs)
        self.next(self.end)

    @step
    def end(self):
        print(self.summary)


if __name__ == "__main__":
    BranchFlow()
