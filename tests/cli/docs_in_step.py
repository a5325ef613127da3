#!/usr/bin/env python3
"""Fails when a command's --help, man page and completions disagree.

Every long and short flag that `COMMAND --help` lists must appear in
man/COMMAND.1 and in the bash, zsh and fish completions; every flag the man
page or a completion mentions must exist in --help. This is how the docs stay
in step with the code for every command: adding a flag without documenting it
breaks the build's tests.

A command with subcommands (a "Subcommands:" section in its --help) is checked
the same way for each of them: the flags of `COMMAND SUB --help` join the
top-level ones, and every subcommand's name must appear in the man page and
in the three completions.

usage: docs_in_step.py PATH_TO_COMMAND SOURCE_DIR
"""
import os
import re
import subprocess
import sys

FLAG_LINE = re.compile(r"^\s+(-[A-Za-z0-9],)?(--[A-Za-z0-9][A-Za-z0-9.\-]*)|^\s+(-[A-Za-z0-9])\b")


SUBCOMMAND_LINE = re.compile(r"^\s+([a-z][a-z0-9\-]*)(\s|$)")


def run_help(binary, *args):
    out = subprocess.run([binary, *args, "--help"], capture_output=True, text=True, timeout=30)
    if out.returncode != 0:
        sys.exit(f"{binary} {' '.join(args)} --help exited {out.returncode}: {out.stderr}")
    return out.stdout


def subcommands(help_text):
    """Names listed under "Subcommands:" in a CLI11 help text."""
    names, inside = [], False
    for line in help_text.splitlines():
        if line.rstrip() == "Subcommands:":
            inside = True
            continue
        if inside:
            if not line.strip():
                break
            m = SUBCOMMAND_LINE.match(line)
            if m:
                names.append(m.group(1))
    return names


def help_flags(binary):
    text = run_help(binary)
    subs = subcommands(text)
    for sub in subs:
        text += "\n" + run_help(binary, sub)
    long_flags, short_flags = set(), set()
    for line in text.splitlines():
        m = FLAG_LINE.match(line)
        if not m:
            continue
        if m.group(1):
            short_flags.add(m.group(1).rstrip(","))
        if m.group(2):
            long_flags.add(m.group(2))
        if m.group(3):
            short_flags.add(m.group(3))
    return long_flags, short_flags, subs


def main():
    binary, src = sys.argv[1], sys.argv[2]
    name = os.path.basename(binary)
    long_flags, short_flags, subs = help_flags(binary)
    if not long_flags:
        sys.exit(f"{name}: found no flags in --help output")
    files = {
        "man page": os.path.join(src, "man", name + ".1"),
        "bash completion": os.path.join(src, "completions", "bash", name),
        "zsh completion": os.path.join(src, "completions", "zsh", "_" + name),
        "fish completion": os.path.join(src, "completions", "fish", name + ".fish"),
    }
    problems = []
    for what, path in files.items():
        if not os.path.exists(path):
            problems.append(f"{what} missing: {path}")
            continue
        text = open(path, encoding="utf-8").read()
        if what == "man page":
            text = re.sub(r"\\f[BIRP]", " ", text).replace("\\-", "-").replace("\\&", "")
        if what == "fish completion":
            # fish spells flags "-l modulus" and "-s m"
            mentioned_long = {"--" + f for f in re.findall(r"(?<!set )-l\s+([A-Za-z0-9][A-Za-z0-9.\-]*)", text)}
            mentioned_short = {"-" + f for f in re.findall(r"-s\s+([A-Za-z0-9])\b", text)}
        else:
            mentioned_long = set(re.findall(r"(?<![A-Za-z0-9-])(--[A-Za-z0-9][A-Za-z0-9.\-]*[A-Za-z0-9])", text))
            mentioned_short = set(re.findall(r"(?<![A-Za-z0-9-])(-[A-Za-z0-9])(?![A-Za-z0-9-])", text))
        for f in sorted(long_flags - mentioned_long):
            problems.append(f"{what} does not mention {f}")
        for f in sorted(short_flags - mentioned_short):
            problems.append(f"{what} does not mention {f}")
        for f in sorted(mentioned_long - long_flags):
            problems.append(f"{what} mentions {f}, which --help does not list")
        for sub in subs:
            if not re.search(r"(?<![A-Za-z0-9-])" + re.escape(sub) + r"(?![A-Za-z0-9-])", text):
                problems.append(f"{what} does not mention the subcommand {sub}")
    if problems:
        print(f"{name}: docs out of step with --help:")
        for p in problems:
            print("  " + p)
        sys.exit(1)
    subs_note = f" (top level and {len(subs)} subcommands)" if subs else ""
    print(f"{name}: {len(long_flags)} long and {len(short_flags)} short flags{subs_note} documented in man page and 3 completions")


if __name__ == "__main__":
    main()
