"""Three nested foreach loops: years, then quarters of each year, then months of each quarter."""

from flowc import FlowSpec, step


class NestedForeachFlow(FlowSpec):
    """A foreach inside a foreach inside a foreach; each level joins before the outer one."""

    @step
    def start(self):
        self.years = [2023, 2024]
        self.next(self.year, foreach="years")

    @step
    def year(self):
        self.year_number = self.input
        self.quarters = [1, 2]
        self.next(self.quarter, foreach="quarters")

    @step
    def quarter(self):
        first_month = 3 * (self.input - 1) + 1
        self.months = [first_month, first_month + 1, first_month + 2]
        self.next(self.month, foreach="months")

    @step
    def month(self):
        """Innermost body: one task per (year, quarter, month)."""
        self.sales = self.input * (self.year_number - 2022)
        self.next(self.join_months)

    @step
    def join_months(self, inputs):
        self.quarter_sales = sum(task.sales for task in inputs)
        self.year_number = inputs[0].year_number
        self.next(self.join_quarters)

    @step
    def join_quarters(self, inputs):
        self.year_sales = sum(task.quarter_sales for task in inputs)
        self.year_number = inputs[0].year_number
        self.next(self.join_years)

    @step
    def join_years(self, inputs):
        self.sales_by_year = {str(task.year_number): task.year_sales for task in inputs}
        self.next(self.end)

    @step
    def end(self):
        print(self.sales_by_year)


if __name__ == "__main__":
    NestedForeachFlow()
