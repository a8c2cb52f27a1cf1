"""User strings that must stay data on every target: quotes, newlines, {{ braces }}, $(...),
backslashes and non-ASCII in parameter defaults and help, environment values and switch keys.
Nothing here may change a definition's structure, become an expression or reach a shell."""

from flowc import FlowSpec, Parameter, environment, step

WEIRD = "it's \"quoted\"\nline two $(echo pwned) `uname` \\ back\\slash — café ✓ ; rm -rf /"


class HostileStringsFlow(FlowSpec):
    """A docstring with {{workflow.name}}, ${HOME}, $(date), 'quotes' "everywhere" and \"\"\"."""

    note = Parameter("note", default=WEIRD, help="help with {{inputs.parameters.x}} and $(id)")
    label = Parameter("label", default="naïve: 'single' & \"double\" \\ % {braces}",
                      help="a label, {% raw %}{{ run_id }}{% endraw %} and {# no comment #}")

    @environment(vars={"HOSTILE": "{{workflow.uid}} $(whoami) 'q' \"dq\" \\n é",
                       "PLAIN": "plain value"})
    @step
    def start(self):
        self.kind = "{{weird}} key" if self.note == WEIRD else "other"
        self.next({"{{weird}} key": self.braces, "other": self.plain}, condition="kind")

    @step
    def braces(self):
        self.echo = self.note + "|" + self.label
        self.next(self.end)

    @step
    def plain(self):
        self.echo = "plain"
        self.next(self.end)

    @step
    def end(self):
        print(self.echo)


if __name__ == "__main__":
    HostileStringsFlow()
