"""Sun-synchronous orbits: the inclination J2 asks for and the RAAN a local time asks for.

Pure arithmetic (no ephemeris), so the model stays below the orbit engine; the tests
check both against skyfield and JPL DE421.
"""
from __future__ import annotations

import math
from datetime import UTC, datetime

from .constants import J2_EARTH, MU_EARTH_KM3_PER_S2, R_EARTH_KM, SUN_MEAN_MOTION_DEG_PER_DAY

_J2000 = datetime(2000, 1, 1, 12, tzinfo=UTC)


def sun_synchronous_inclination_deg(altitude_km: float) -> float:
    """Inclination whose J2 nodal precession follows the mean Sun (circular orbit).

    Ω̇ = −(3/2) n J2 (R⊕/a)² cos i (Vallado, *Fundamentals of Astrodynamics and
    Applications*, 4th ed., §9.6, eq. 9-41 with e = 0) set equal to the Sun's mean motion
    0.9856 °/day gives cos i = −Ω̇_sun / ((3/2) n J2 (R⊕/a)²).

    >>> round(sun_synchronous_inclination_deg(800.0), 2)
    98.6
    """
    a = R_EARTH_KM + altitude_km
    n_rad_s = math.sqrt(MU_EARTH_KM3_PER_S2 / a**3)
    rate_rad_s = math.radians(SUN_MEAN_MOTION_DEG_PER_DAY) / 86400.0
    cos_i = -rate_rad_s / (1.5 * n_rad_s * J2_EARTH * (R_EARTH_KM / a) ** 2)
    if cos_i < -1.0:
        raise ValueError(f"altitude_km={altitude_km:g}: no sun-synchronous circular orbit "
                         "exists this high (J2 precession too slow; below ~5,900 km)")
    return math.degrees(math.acos(cos_i))


def sun_right_ascension_deg(epoch_utc: datetime) -> float:
    """Apparent right ascension of the Sun (equator and equinox of date), 0–360°.

    Low-precision formula of the Astronomical Almanac (Vallado §5.1, Algorithm 29 SUN),
    good to about 0.01° from 1950 to 2050, i.e. 2.4 s of local time.
    """
    if epoch_utc.tzinfo is None:
        epoch_utc = epoch_utc.replace(tzinfo=UTC)
    t = (epoch_utc - _J2000).total_seconds() / 86400.0 / 36525.0
    mean_lon = 280.460 + 36000.771 * t
    m = math.radians(357.5291092 + 35999.05034 * t)
    ecl = math.radians(mean_lon + 1.914666471 * math.sin(m) + 0.019994643 * math.sin(2 * m))
    eps = math.radians(23.439291 - 0.0130042 * t)
    return math.degrees(math.atan2(math.cos(eps) * math.sin(ecl), math.cos(ecl))) % 360.0


def raan_for_ltan_deg(ltan_h: float, epoch_utc: datetime) -> float:
    """RAAN putting the ascending node at local (apparent) solar time ``ltan_h`` at the
    epoch: the node's hour angle from the Sun is (LTAN − 12 h) × 15 °/h, so
    Ω = α☉ + 15 (LTAN − 12). Dawn–dusk: LTAN 6 h or 18 h."""
    return (sun_right_ascension_deg(epoch_utc) + 15.0 * (ltan_h - 12.0)) % 360.0


__all__ = ["raan_for_ltan_deg", "sun_right_ascension_deg", "sun_synchronous_inclination_deg"]
