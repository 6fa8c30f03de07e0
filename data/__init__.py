"""Package data of sohoa (`sohoa.data`): restoration models, gazetteer, lexicon.

Read through `sohoa.resources`; `samples/` is source-tree only and is not installed.
"""
