"""fieldscan free-text analysis: themes, clusters and named local entities.

Pure Python + scikit-learn; knows nothing of Flask or databases (records in, plain dicts
out). See ``analysis/taxonomies/README.md`` for the data files staff can edit.

>>> import analysis
>>> sorted(analysis.analyze([{"id": "1", "question": "resources", "text": "WIC"}])["questions"])
['resources']
"""

from analysis.clusters import ThemeClusterer, contains_phrase, describe_answers
from analysis.entities import Entity, EntityExtractor
from analysis.io import AnswerFileError, read_answers_csv
from analysis.langid import detect_language
from analysis.pipeline import ScanAnalyzer, analyze
from analysis.taxonomy import (
    Taxonomy,
    TaxonomyError,
    default_taxonomies,
    load_taxonomies,
    load_taxonomy,
)
from analysis.themes import ThemeResult, ThemeTagger

__version__ = "0.1.0"

__all__ = [
    "AnswerFileError",
    "Entity",
    "EntityExtractor",
    "ScanAnalyzer",
    "Taxonomy",
    "TaxonomyError",
    "ThemeClusterer",
    "ThemeResult",
    "ThemeTagger",
    "__version__",
    "analyze",
    "contains_phrase",
    "default_taxonomies",
    "describe_answers",
    "detect_language",
    "load_taxonomies",
    "load_taxonomy",
    "read_answers_csv",
]
