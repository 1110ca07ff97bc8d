"""Old import path, kept for one release: figures are read in ``retrieval.text.figures``
(units and measures: ``retrieval.text.units``), said in English in ``retrieval.answer.english``."""
from .answer.english import describe_figure_en, english_unit, english_value  # noqa: F401
from .text.figures import find_figures  # noqa: F401
from .text.units import (Measure, UnitInfo, classify_measure, measure_english, measures,  # noqa: F401
                         to_base, unit_info)

__all__ = ["find_figures", "english_value", "english_unit", "describe_figure_en", "to_base", "unit_info",
           "UnitInfo", "classify_measure", "measure_english", "measures", "Measure"]
