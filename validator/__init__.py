"""xxgk-lint: a linter for 政府信息公开工作年度报告 (government information-disclosure annual reports).

Pipeline (one module each, data flowing one way):
    readers/ → normalize → parse/ (grammar generated from rules/formats/*.yaml) → model → rules/ → findings → reporters/
The single entry is :mod:`validator.lint`.
"""

__version__ = "0.1.0"
