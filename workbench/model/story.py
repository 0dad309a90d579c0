"""A story: the scripted steps a presenter walks an audience through (story mode).

Each :class:`StoryStep` says where the globe looks (:class:`CameraView`), which time step
it shows, which satellites or route it highlights, which analysis tab (and figure) is in
front, and a caption in English and Simplified Chinese. A scenario carries its story in
its YAML (``story:``), round-trip exact; a scenario without one leaves it out.

>>> step = StoryStep(caption_en="The park", caption_zh="园区", tab="business")
>>> step.caption("zh_CN")
'园区'
"""
from __future__ import annotations

from pydantic import field_validator

from .base import Model
from .fields import quantity


class CameraView(Model):
    """Where the globe's camera looks from: straight down on a place from a height."""

    lon_deg: float = quantity(116.5, unit="deg", ge=-180.0, le=180.0, step=0.5,
                              label="Camera longitude",
                              description="Longitude the camera looks down on")
    lat_deg: float = quantity(39.8, unit="deg", ge=-90.0, le=90.0, step=0.5,
                              label="Camera latitude",
                              description="Latitude the camera looks down on")
    height_km: float = quantity(16000.0, unit="km", ge=1.0, le=1_000_000.0, step=500.0,
                                label="Camera height",
                                description="Height of the camera above the ground")


class StoryStep(Model):
    """One step of a story."""

    caption_en: str = quantity(label="Caption (English)",
                               description="What the presenter says at this step, in English")
    caption_zh: str = quantity("", label="Caption (Chinese)",
                               description="The same caption in Simplified Chinese (empty: "
                                           "the English one)")
    camera: CameraView | None = quantity(None, label="Camera view",
                                         description="Where the globe looks (empty: it "
                                                     "stays where it is)")
    time_index: int = quantity(0, ge=0, le=1_000_000, label="Time step",
                               description="Step of the globe's time grid to show")
    highlight_sats: tuple[int, ...] = quantity((), label="Highlighted satellites",
                                               description="Satellite ids drawn in a "
                                                           "highlight colour, the others "
                                                           "dimmed")
    route: tuple[str, str] | None = quantity(None, label="Route",
                                             description="Two ground sites whose route the "
                                                         "globe draws (from the latency "
                                                         "result)")
    tab: str = quantity("", label="Tab",
                        description="Analysis tab to show (its registry name; empty: keep)")
    figure: str = quantity("", label="Figure",
                           description="Figure of that tab to scroll to (empty: the first)")

    @field_validator("highlight_sats")
    @classmethod
    def _ids(cls, value: tuple[int, ...]) -> tuple[int, ...]:
        if any(v < 0 for v in value):
            raise ValueError("satellite ids are ≥ 0")
        return value

    def caption(self, lang: str | None = None) -> str:
        """The caption in ``lang`` (Chinese for ``zh*``, else English)."""
        if lang and str(lang).lower().startswith("zh") and self.caption_zh:
            return self.caption_zh
        return self.caption_en


class Story(Model):
    """A titled sequence of story steps."""

    title_en: str = quantity(label="Story title (English)", description="Title of the story")
    title_zh: str = quantity("", label="Story title (Chinese)",
                             description="Title in Simplified Chinese (empty: the English)")
    steps: tuple[StoryStep, ...] = quantity(label="Steps",
                                            description="The steps, in order")

    @field_validator("steps")
    @classmethod
    def _not_empty(cls, value: tuple[StoryStep, ...]) -> tuple[StoryStep, ...]:
        if not value:
            raise ValueError("a story needs at least one step")
        return value

    def title(self, lang: str | None = None) -> str:
        """The title in ``lang``."""
        if lang and str(lang).lower().startswith("zh") and self.title_zh:
            return self.title_zh
        return self.title_en


__all__ = ["CameraView", "Story", "StoryStep"]
