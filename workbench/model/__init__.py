"""Pure domain objects: validated, immutable, no UI imports and nothing from layers above."""
from .application import (
                          Application,
                          CollaborativeComputing,
                          ComputeService,
                          EventResponse,
                          MeasuredInference,
                          RemoteSensingInference,
)
from .constellation import Constellation, PublishedCompute, TLESet, WalkerShell, period_s
from .datacentre import OrbitalDataCentre, TerrestrialDataCentre
from .economics import Economics, LaunchVehicle
from .errors import DatasetError, FetchError, ModelError, PropagationWarning, TLEError
from .fields import FieldSpec, describe, quantity
from .ground import GroundSegment, GroundSite
from .hardware import ComputeChip, ComputePayload, Platform
from .options import (
                          BusinessOptions,
                          CapacityOptions,
                          CoverageOptions,
                          NetworkOptions,
                          ScenarioOptions,
                          SchedulingOptions,
)
from .scenario import Scenario
from .sensor import Sensor
from .story import CameraView, Story, StoryStep
from .timegrid import TimeGrid

__all__ = [
                          "Application",
                          "BusinessOptions",
                          "CameraView",
                          "CapacityOptions",
                          "CollaborativeComputing",
                          "ComputeChip",
                          "ComputePayload",
                          "ComputeService",
                          "Constellation",
                          "CoverageOptions",
                          "DatasetError",
                          "Economics",
                          "EventResponse",
                          "FetchError",
                          "FieldSpec",
                          "GroundSegment",
                          "GroundSite",
                          "LaunchVehicle",
                          "MeasuredInference",
                          "ModelError",
                          "NetworkOptions",
                          "OrbitalDataCentre",
                          "Platform",
                          "PropagationWarning",
                          "PublishedCompute",
                          "RemoteSensingInference",
                          "Scenario",
                          "ScenarioOptions",
                          "Sensor",
                          "Story",
                          "StoryStep",
                          "SchedulingOptions",
                          "TLEError",
                          "TLESet",
                          "TerrestrialDataCentre",
                          "TimeGrid",
                          "WalkerShell",
                          "describe",
                          "period_s",
                          "quantity",
]
