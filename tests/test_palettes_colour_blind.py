"""Every categorical palette of the maps stays readable with red-green colour blindness.

Each palette of :mod:`mixing.viz.style` that names classes (LISA quadrants, Gi* hot and
cold spots, concentration classes, the vitality screening) is drawn on a map together with
the colours for *unknown* and *water or no residents*. Every pair of these colours must
differ by at least :data:`THRESHOLD` in CIEDE2000 (Sharma, Wu and Dalal 2005) in normal
vision and after simulating deuteranopia and protanopia with the matrices of Machado,
Oliveira and Fernandes (2009) at severity 1 (dichromacy), applied to linear RGB.

Issue 21: "hoog omringd door laag" (#f4a6c6) and "onbekend" (#bdbdbd) were 2.2 apart
under simulated red-green colour blindness.
"""

from __future__ import annotations

import itertools

import numpy as np
import pytest

from mixing.viz import style

#: Smallest CIEDE2000 difference between two classes of one map, in every vision: four
#: times the just-noticeable difference of about 2.3 (Sharma 2003), so that two buurten of
#: different classes side by side are told apart at a glance. The limit in practice is the
#: pair *not significant* (light grey) and *no residents* (white): neutral colours near
#: white are compressed in CIEDE2000.
THRESHOLD = 9.0

#: Machado, Oliveira & Fernandes (2009), "A physiologically-based model for simulation of
#: color vision deficiency", IEEE TVCG 15(6), Table: severity 1.0, linear RGB.
MACHADO = {
    "deuteranopia": np.array([[0.367322, 0.860646, -0.227968],
                              [0.280085, 0.672501, 0.047413],
                              [-0.011820, 0.042940, 0.968881]]),
    "protanopia": np.array([[0.152286, 1.052583, -0.204868],
                            [0.114503, 0.786281, 0.099216],
                            [-0.003882, -0.048116, 1.051998]]),
}
VISIONS = ("normal", *MACHADO)

#: Categorical palettes as a map draws them: the classes, then unknown and empty.
PALETTES = {
    "lisa": style.LISA_CATEGORIES,
    "hotspot": style.HOTSPOT_CATEGORIES,
    "concentration": style.CONCENTRATION_CATEGORIES,
    "vitality": style.VITALITY_CATEGORIES,
}


def _linear(hex_colour: str) -> np.ndarray:
    srgb = np.array([int(hex_colour.lstrip("#")[i:i + 2], 16) for i in (0, 2, 4)]) / 255
    return np.where(srgb <= 0.04045, srgb / 12.92, ((srgb + 0.055) / 1.055) ** 2.4)


def _lab(linear_rgb: np.ndarray) -> np.ndarray:
    """CIELAB (D65) of linear sRGB."""
    m = np.array([[0.4124564, 0.3575761, 0.1804375],
                  [0.2126729, 0.7151522, 0.0721750],
                  [0.0193339, 0.1191920, 0.9503041]])
    xyz = m @ np.clip(linear_rgb, 0, 1) / np.array([0.95047, 1.0, 1.08883])
    f = np.where(xyz > (6 / 29) ** 3, np.cbrt(xyz), xyz / (3 * (6 / 29) ** 2) + 4 / 29)
    return np.array([116 * f[1] - 16, 500 * (f[0] - f[1]), 200 * (f[1] - f[2])])


def seen(hex_colour: str, vision: str) -> np.ndarray:
    """CIELAB of a colour as seen in ``vision`` (normal or a simulated dichromacy)."""
    rgb = _linear(hex_colour)
    if vision != "normal":
        rgb = MACHADO[vision] @ rgb
    return _lab(rgb)


def ciede2000(lab1: np.ndarray, lab2: np.ndarray) -> float:
    r"""CIEDE2000 colour difference, :math:`k_L = k_C = k_H = 1`.

    Sharma, Wu & Dalal (2005), "The CIEDE2000 color-difference formula: implementation
    notes, supplementary test data, and mathematical observations", Color Res. Appl. 30(1).
    """
    L1, a1, b1 = lab1
    L2, a2, b2 = lab2
    c_bar = (np.hypot(a1, b1) + np.hypot(a2, b2)) / 2
    g = 0.5 * (1 - np.sqrt(c_bar ** 7 / (c_bar ** 7 + 25.0 ** 7)))
    a1p, a2p = (1 + g) * a1, (1 + g) * a2
    c1p, c2p = np.hypot(a1p, b1), np.hypot(a2p, b2)
    h1p = np.degrees(np.arctan2(b1, a1p)) % 360 if c1p else 0.0
    h2p = np.degrees(np.arctan2(b2, a2p)) % 360 if c2p else 0.0
    dL, dC = L2 - L1, c2p - c1p
    if c1p * c2p == 0:
        dh = 0.0
    elif abs(h2p - h1p) <= 180:
        dh = h2p - h1p
    else:
        dh = h2p - h1p - 360 if h2p > h1p else h2p - h1p + 360
    dH = 2 * np.sqrt(c1p * c2p) * np.sin(np.radians(dh) / 2)
    L_bar, cp_bar = (L1 + L2) / 2, (c1p + c2p) / 2
    if c1p * c2p == 0:
        h_bar = h1p + h2p
    elif abs(h1p - h2p) <= 180:
        h_bar = (h1p + h2p) / 2
    else:
        h_bar = (h1p + h2p + 360) / 2 if h1p + h2p < 360 else (h1p + h2p - 360) / 2
    t = (1 - 0.17 * np.cos(np.radians(h_bar - 30)) + 0.24 * np.cos(np.radians(2 * h_bar))
         + 0.32 * np.cos(np.radians(3 * h_bar + 6)) - 0.20 * np.cos(np.radians(4 * h_bar - 63)))
    d_theta = 30 * np.exp(-(((h_bar - 275) / 25) ** 2))
    r_c = 2 * np.sqrt(cp_bar ** 7 / (cp_bar ** 7 + 25.0 ** 7))
    s_l = 1 + 0.015 * (L_bar - 50) ** 2 / np.sqrt(20 + (L_bar - 50) ** 2)
    s_c = 1 + 0.045 * cp_bar
    s_h = 1 + 0.015 * cp_bar * t
    r_t = -np.sin(np.radians(2 * d_theta)) * r_c
    return float(np.sqrt((dL / s_l) ** 2 + (dC / s_c) ** 2 + (dH / s_h) ** 2
                         + r_t * (dC / s_c) * (dH / s_h)))


# Sharma et al. (2005), Table 1: pairs 1, 2, 7, 17, 25 and their published differences.
SHARMA = [
    ((50.0, 2.6772, -79.7751), (50.0, 0.0, -82.7485), 2.0425),
    ((50.0, 3.1571, -77.2803), (50.0, 0.0, -82.7485), 2.8615),
    ((50.0, 0.0, 0.0), (50.0, -1.0, 2.0), 2.3669),
    ((50.0, 2.5, 0.0), (73.0, 25.0, -18.0), 27.1492),
    ((60.2574, -34.0099, 36.2677), (60.4626, -34.1751, 39.4387), 1.2644),
]


@pytest.mark.parametrize(("lab1", "lab2", "expected"), SHARMA)
def test_ciede2000_gives_the_published_differences(lab1, lab2, expected):
    assert ciede2000(np.array(lab1), np.array(lab2)) == pytest.approx(expected, abs=1e-4)
    assert ciede2000(np.array(lab2), np.array(lab1)) == pytest.approx(expected, abs=1e-4)


def test_simulation_keeps_grey_grey_and_merges_red_and_green():
    # the rows of each matrix add up to 1: neutral colours are seen unchanged
    for matrix in MACHADO.values():
        np.testing.assert_allclose(matrix.sum(axis=1), 1.0, atol=1e-5)
    grey = seen(style.UNKNOWN_COLOR, "normal")
    for vision in MACHADO:
        assert ciede2000(seen(style.UNKNOWN_COLOR, vision), grey) < 0.05
    # a red and a green of equal lightness are far apart normally, close for a dichromat
    red, green = "#d55e00", "#5e8c00"
    assert ciede2000(seen(red, "normal"), seen(green, "normal")) > 30
    assert ciede2000(seen(red, "deuteranopia"), seen(green, "deuteranopia")) < 15


def _colours(categories) -> dict[str, str]:
    out = {c.label("nl"): c.color for c in categories}
    out["onbekend"] = style.UNKNOWN_COLOR
    out["water of geen bewoners"] = style.EMPTY_COLOR
    return out


def _smallest(colours: dict[str, str], vision: str) -> tuple[float, tuple[str, str]]:
    return min((ciede2000(seen(colours[a], vision), seen(colours[b], vision)), (a, b))
               for a, b in itertools.combinations(colours, 2))


@pytest.mark.parametrize("vision", VISIONS)
@pytest.mark.parametrize("palette", PALETTES)
def test_every_pair_of_classes_differs_in_every_vision(palette, vision):
    difference, pair = _smallest(_colours(PALETTES[palette]), vision)
    assert difference >= THRESHOLD, (
        f"{palette}, {vision}: {pair[0]!r} and {pair[1]!r} differ by only "
        f"{difference:.1f} (CIEDE2000); choose colours at least {THRESHOLD} apart")


def test_issue_21_pair_is_now_far_apart():
    old = ciede2000(seen("#f4a6c6", "deuteranopia"), seen("#bdbdbd", "deuteranopia"))
    assert old == pytest.approx(1.82, abs=0.01)  # the pair of issue 21, before
    colours = _colours(style.LISA_CATEGORIES)
    for vision in MACHADO:
        assert ciede2000(seen(colours["hoog omringd door laag"], vision),
                         seen(colours["onbekend"], vision)) > 20
