"""Checks across reports (issue 14): last year's report against this year's (carry-over of
pending applications and of the documents in force, copied text, years left unchanged),
other issuers' reports of the same year (copied text) and two copies of one report
(`xxgk-lint compare`).

  pairing.py     which reports belong together (issuer and year from the model)
  peers.py       which other issuers' reports of the year are worth aligning with a report
                 (an exact index of shared 8-grams: no pair that can pass the screen is left out)
  issuer.py      one key for the spellings of an issuer (淮安市洪泽区人民政府 = 洪泽区)
  similarity.py  how much of a section is the same as in another report, and where
  run.py         running the pair rules (rules/cross.yaml) and the batch step of `check`
  compare.py     every template cell and section that differs between two copies

The rules themselves are YAML entries of the kinds in validator/rules/kinds/ (equation with
本年·/上年· names, copied_text, compare_copies, prose_numbers with change).
"""
