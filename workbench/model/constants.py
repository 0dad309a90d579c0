"""Physical constants and shared limits used across the workbench (the README's design notes)."""
MU_EARTH_KM3_PER_S2 = 398600.4418
"""Earth's gravitational parameter μ⊕ (WGS84)."""
R_EARTH_KM = 6378.137
"""Earth's equatorial radius (WGS84)."""
WGS84_FLATTENING = 1.0 / 298.257223563
C_KM_PER_S = 299792.458
"""Speed of light in vacuum."""
FIBRE_REFRACTIVE_INDEX = 1.468
SOLAR_CONSTANT_W_PER_M2 = 1361.0
"""Total solar irradiance at 1 au (1360.8 ± 0.5 W/m², Kopp & Lean 2011)."""
STEFAN_BOLTZMANN_W_PER_M2_K4 = 5.670374e-8
SECONDS_PER_DAY = 86400.0
HOURS_PER_YEAR = 8760.0
"""Hours in a 365-day year: the convention of electricity tariffs and data-centre TCO."""
J2_EARTH = 1.08262668e-3
"""Earth's second zonal harmonic J2 (EGM-96, Vallado, *Fundamentals of Astrodynamics*, 4th
ed., Table D-1)."""
SUN_MEAN_MOTION_DEG_PER_DAY = 360.0 / 365.2421897
"""The Sun's mean motion along the ecliptic, 0.9856 °/day (one tropical year)."""

MAX_TIME_STEPS = 1_000_000
"""Most instants one time grid may hold (Scenario and TimeGrid share this cap)."""

EPHEMERIS_START_UTC = "1899-07-30T00:00:00+00:00"
EPHEMERIS_END_UTC = "2053-10-08T00:00:00+00:00"
"""Whole days inside JPL DE421 (1899-07-29 to 2053-10-09 TDB), the Sun ephemeris every
analysis uses: a grid must start and end within them."""


def n_time_steps(duration_s: float, step_s: float) -> int:
    """Instants on a grid of ``duration_s`` at ``step_s``: ``floor(duration/step) + 1``.

    >>> n_time_steps(600.0, 60.0)
    11
    """
    return int(duration_s / step_s + 1e-9) + 1
