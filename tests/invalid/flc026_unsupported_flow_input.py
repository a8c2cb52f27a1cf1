import metaflow as mf
from metaflow import Config, FlowSpec, IncludeFile, step


class PlaylistFlow(FlowSpec):
    movie_data = IncludeFile("movie_data", default="movies.csv")  # error: [FLC026]
    settings = Config("settings", default="settings.json")  # error: [FLC026]
    extra: str = mf.IncludeFile("extra", default="extra.txt")  # error: [FLC026]

    @step
    def start(self):
        self.next(self.end)

    @step
    def end(self):
        pass
