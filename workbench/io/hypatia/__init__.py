"""Hypatia's satellite-network-state files: load a Hypatia set-up as a scenario, and export a
scenario for packet-level simulation with ns-3.

Hypatia (Kassing et al., "Exploring the 'Internet from space' with Hypatia", IMC 2020;
github.com/snkas/hypatia) describes a satellite network by a folder of text files that its
``satgenpy`` (routing state, analyses) and its ns-3 module (packets) read:

``tles.txt``
    First line ``N_ORBITS N_SATS_PER_ORBIT`` (ns-3 checks that their product is the number
    of satellites); then per satellite a name line whose second word is its id, counting
    from 0 (``Starlink-550 0``), and two TLE lines. Satellite *i* is the *i*-th element set.
    Every element set has the same epoch, the start of the simulation.
``isls.txt``
    ``a b`` per line: a laser link between satellites *a* < *b*, for the whole run (the
    export writes *a* < *b*, as satgenpy requires; reading takes either order).
``ground_stations.txt``
    ``gid,name,lat,lon,elevation_m,x,y,z`` per line, ids counting from 0, the ECEF position
    x, y, z in metres on the WGS72 ellipsoid (ns-3 places the station there). The basic form
    ``ground_stations.basic.txt`` has the first five columns.
``description.txt``
    ``max_gsl_length_m=…`` and ``max_isl_length_m=…``. A ground station links to every
    satellite within the GSL length: a maximum slant range, not an elevation mask. An ISL
    longer than the ISL length is unusable (satgenpy's analyses drop it; its routing-state
    generator stops with an error).
``gsl_interfaces_info.txt``
    ``node,interfaces,bandwidth`` per node; written by the export (one interface per node,
    as Hypatia's ``algorithm_free_one_only_*`` routing uses), not read.

How they map (reading; writing goes the other way)
--------------------------------------------------
- TLEs → one :class:`~workbench.model.TLESet`, satellites in file order; the scenario starts
  at their epoch. Names are kept (``Starlink-550 17``).
- Links → an explicit ``NetworkOptions.isl`` list (no links: ``"none"``); max ISL length →
  ``isl_max_range_km`` (at most 100,000 km, which joins any two satellites below 50,000 km
  from the Earth's centre). The workbench drops a link longer than that at that step, as
  satgenpy's analyses do.
- Ground stations → user sites with no elevation mask (0°) and ``max_range_km`` = the max
  GSL length. The workbench links a site to a satellite above its mask and within
  ``max_range_km``; with a 0° mask that is Hypatia's rule (a satellite within the range of
  a LEO shell is always above the horizon). Heights are above the ellipsoid, as in Hypatia;
  the workbench places sites on WGS84, Hypatia on WGS72 (a few metres apart).
- Routing: Hypatia's state has no terrestrial fibre (``fibre="none"``), and ground stations
  relay traffic only when there are no ISLs (its ``algorithm_free_one_only_gs_relays``):
  sites are relays exactly then.

Writing, an elevation mask becomes a slant range at the constellation's lowest altitude on a
spherical Earth of the equatorial radius (:func:`slant_range_km`): at that altitude a
satellite at the mask is at the range; higher satellites need a little more elevation, so on
that sphere the export never links a satellite below the mask (the real, oblate Earth moves
the elevation at that range by a fraction of a degree). Hypatia has one range for all stations: sites
with different masks need ``min_elevation_deg`` to choose one.
"""
from .export import HypatiaExport, write_hypatia
from .files import (
    FILES,
    HypatiaDescription,
    HypatiaError,
    elevation_at_range_deg,
    load_hypatia,
    read_description,
    read_ground_stations,
    read_isls,
    read_tles,
    slant_range_km,
)

__all__ = ["FILES", "HypatiaDescription", "HypatiaError", "HypatiaExport",
           "elevation_at_range_deg", "load_hypatia", "read_description",
           "read_ground_stations", "read_isls", "read_tles", "slant_range_km", "write_hypatia"]
