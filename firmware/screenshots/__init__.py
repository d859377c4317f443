"""`piste screenshot KIND --config FILE --out DIR`: PNGs of every screen of a kind.

Each kind is a module here with `main(config: SiteConfig, out: Path) -> int`.
"""
