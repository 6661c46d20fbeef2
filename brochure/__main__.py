from brochure.cli import main

# The guard matters: worker processes started with "spawn" (brochure serve) import this module.
if __name__ == "__main__":
    raise SystemExit(main())
