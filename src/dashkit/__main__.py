"""``python -m dashkit``: the same command line as ``dashkit``, for environments whose scripts
folder is not on PATH."""
from dashkit.cli import main

if __name__ == "__main__":
    main(prog_name="dashkit")
