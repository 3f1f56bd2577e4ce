#!/usr/bin/env python3
"""The man page digitdesk.1 and the bash completion, written from the built binary's own help.

Runs `digitdesk --help`, then `digitdesk COMMAND --help` for every command the top-level help
lists and `digitdesk COMMAND SUB --help` for every subcommand a command's usage names, so a new
command, subcommand or option appears in both without editing anything here.

Usage: clidocs.py DIGITDESK [--man OUT.1[.gz]] [--bash-completion OUT] [--check]
--check prints every command whose --help fails or says nothing useful and exits 1 if any does.
"""

import argparse
import datetime
import gzip
import os
import re
import subprocess
import sys

# What the page says beyond the help texts: where the package puts things.
FILES = [
    ("/etc/default/digitdesk-serve",
     "The workspace, address, port and extra options of the digitdesk-serve service."),
    ("/lib/systemd/system/digitdesk-serve.service",
     "The systemd unit that runs digitdesk serve as the system user digitdesk."),
    ("/usr/lib/digitdesk/",
     "libdigitdesk_torch.so and libdigitdesk_imaging.so, LibTorch's and OpenCV's code, "
     "opened the first time a command needs them."),
]
ENVIRONMENT = [
    ("DIGITDESK_WORKSPACE", "The workspace folder when no --workspace is given."),
    ("DIGITDESK_DATABASE", "A PostgreSQL URL for workspace init and open."),
    ("DIGITDESK_THREADS", "LibTorch's intra-op threads (default: the number of cores)."),
    ("DIGITDESK_TORCH_MODULE", "Another file to open instead of libdigitdesk_torch.so."),
    ("DIGITDESK_IMAGING_MODULE", "Another file to open instead of libdigitdesk_imaging.so."),
]
SUBCOMMAND_LIST = re.compile(r"^[a-z][a-z-]*(\|[a-z][a-z-]*)*$")
OPTION_LINE = re.compile(r"^  (-\S.*?)(?:\s{2,}(\S.*))?$")


class Help:
    """One help text: usage line, description, options (names, value, text) and the rest."""

    def __init__(self, words, text):
        self.words = words
        self.text = text
        self.usage = ""
        self.description = []
        self.options = []
        self.notes = []
        section = "head"
        for line in text.splitlines():
            if line.startswith("Usage: ") and not self.usage:
                self.usage = line[len("Usage: "):].strip()
                section = "description"
            elif line.rstrip() == "Options:":
                section = "options"
            elif line.rstrip() == "Arguments:":
                section = "arguments"
            elif section == "options" and OPTION_LINE.match(line):
                match = OPTION_LINE.match(line)
                self.options.append([match.group(1).strip(), (match.group(2) or "").strip()])
            elif section == "options" and line.startswith("   ") and self.options:
                self.options[-1][1] = (self.options[-1][1] + " " + line.strip()).strip()
            elif section in ("description", "head"):
                # Paragraphs: lines joined, a blank line between two.
                if not line.strip():
                    self.description.append("")
                elif self.description and self.description[-1]:
                    self.description[-1] += " " + line.strip()
                else:
                    self.description.append(line.strip())
            elif section == "arguments" and line.strip():
                self.notes.append(line.strip())

    def option_names(self):
        names = []
        for spec, _ in self.options:
            for part in spec.split(","):
                name = part.strip().split(" ")[0]
                if name.startswith("-"):
                    names.append(name)
        return names

    def valued_options(self):
        """Option name -> its value's placeholder (DIR, FILE, ...)."""
        valued = {}
        for spec, _ in self.options:
            placeholder = re.search(r"<([^>]+)>", spec)
            if placeholder:
                for part in spec.split(","):
                    name = part.strip().split(" ")[0]
                    if name.startswith("-"):
                        # Only what is safe inside the completion's double quotes.
                        valued[name] = re.sub(r"[^A-Za-z0-9_|.-]", "", placeholder.group(1))
        return valued


def run_help(binary, words):
    environment = dict(os.environ)
    for name in ("DIGITDESK_WORKSPACE", "DIGITDESK_DATABASE", "DISPLAY", "WAYLAND_DISPLAY"):
        environment.pop(name, None)
    ran = subprocess.run([binary] + words + ["--help"], capture_output=True, text=True,
                         env=environment, timeout=60, check=False)
    return ran.returncode, ran.stdout, ran.stderr


def top_level_commands(text):
    """The commands of the top-level help's "Commands:" list, in its order."""
    commands = []
    subcommands = {}
    listing = False
    for line in text.splitlines():
        if line.rstrip() == "Commands:":
            listing = True
            continue
        if listing and not line.strip():
            break
        if listing and line.startswith("  "):
            words = line.split()
            name = words[0].rstrip(",")
            if not re.match(r"^[a-z][a-z-]*$", name):
                continue
            if name not in commands:
                commands.append(name)
                subcommands[name] = []
            if len(words) > 1 and SUBCOMMAND_LIST.match(words[1]):
                subcommands[name] += [s for s in words[1].split("|")
                                      if s not in subcommands[name]]
    return commands, subcommands


def subcommands_of(help_text, command):
    """Subcommands a command's own usage names: `digitdesk models list|show|... ...`."""
    usage = help_text.usage.split()
    if len(usage) > 2 and usage[:2] == ["digitdesk", command] and SUBCOMMAND_LIST.match(usage[2]):
        rest = usage[3:]
        # A single lowercase word followed by arguments is a subcommand only when "..." or
        # another list says the command has several.
        if "|" in usage[2] or (rest and rest[0] == "..."):
            return usage[2].split("|")
    return []


def collect(binary):
    """Every help text, in the order the page shows them, and the problems found."""
    code, out, err = run_help(binary, [])
    problems = []
    if code != 0 or "Commands:" not in out:
        sys.exit(f"clidocs: {binary} --help failed (exit {code}): {err.strip()}")
    top = Help([], out)
    commands, listed = top_level_commands(out)
    helps = []
    named = {}  # every subcommand named, its --help working or not (the completion offers it)
    for command in commands:
        if command == "help":
            continue
        code, text, err = run_help(binary, [command])
        if code != 0 or not text.startswith("Usage: "):
            problems.append(f"digitdesk {command} --help: exit {code}, "
                            f"{(text or err).strip().splitlines()[:1]}")
            continue
        command_help = Help([command], text)
        helps.append(command_help)
        subs = subcommands_of(command_help, command)
        subs += [s for s in listed.get(command, []) if s not in subs]
        named[command] = subs
        for sub in subs:
            code, text, err = run_help(binary, [command, sub])
            if code != 0 or not text.startswith("Usage: "):
                problems.append(f"digitdesk {command} {sub} --help: exit {code}, "
                                f"{(text or err).strip().splitlines()[:1]}")
                continue
            sub_help = Help([command, sub], text)
            if sub_help.usage == command_help.usage:
                problems.append(f"digitdesk {command} {sub} --help prints the usage of "
                                f"digitdesk {command}, not of {sub}")
                continue
            helps.append(sub_help)
    return top, helps, named, problems


def roff(text):
    """Plain text as roff: backslashes and hyphens escaped, no line starting a request."""
    text = text.replace("\\", "\\e").replace("-", "\\-")
    return "\n".join(("\\&" + line) if line[:1] in (".", "'") else line
                     for line in text.split("\n"))


def bold(text):
    return "\\fB" + roff(text) + "\\fR"


def write_man(path, top, helps, version):
    date = datetime.datetime.fromtimestamp(
        int(os.environ.get("SOURCE_DATE_EPOCH", "0")) or datetime.datetime.now().timestamp(),
        datetime.timezone.utc).strftime("%Y-%m-%d")
    lines = [
        '.\\" Generated by installer/clidocs.py from digitdesk\'s --help texts: do not edit.',
        f'.TH DIGITDESK 1 "{date}" "DigitDesk {version}" "User Commands"',
        # Options are never hyphenated across lines, and lines are not stretched to the margin.
        ".nh",
        ".ad l",
        ".SH NAME",
        "digitdesk \\- label handwritten digits with a model and a human in the loop",
        ".SH SYNOPSIS",
    ]
    for line in top.text.split("\n\n")[0].splitlines():
        usage = line.replace("Usage:", "").strip()
        words = usage.split("  ")[0].strip()
        if words:
            lines += [bold(words), ".br"]
    lines += [".SH DESCRIPTION",
              "With no command, " + bold("digitdesk") + " opens the graphical interface "
              "(workspace chooser, login, main window). With a command it works without a "
              "window; every command prints its own help with " + bold("--help") + ", which is "
              "what this page shows for each."]
    paragraphs = [p for p in top.text.split("\n\n")[2:] if p.strip()]
    for paragraph in paragraphs:
        lines += [".PP", ".nf", roff(paragraph.strip()), ".fi"]
    lines.append(".SH COMMANDS")
    for entry in helps:
        lines += [".SS " + roff("digitdesk " + " ".join(entry.words)), bold(entry.usage)]
        for paragraph in entry.description:
            if paragraph:
                lines += [".PP", roff(paragraph)]
        for note in entry.notes:
            lines += [".PP", roff(note)]
        for spec, text in entry.options:
            if spec != "-h, --help":
                lines += [".TP", bold(spec), roff(text)]
    lines.append(".SH ENVIRONMENT")
    for name, text in ENVIRONMENT:
        lines += [".TP", bold(name), roff(text)]
    lines.append(".SH FILES")
    for name, text in FILES:
        lines += [".TP", bold(name), roff(text)]
    lines += [".SH SEE ALSO", "\\fBsystemctl\\fR(1), \\fBsystemd.exec\\fR(5)"]
    page = ("\n".join(lines) + "\n").encode("utf-8")
    if path.endswith(".gz"):
        with open(path, "wb") as raw, gzip.GzipFile(fileobj=raw, mode="wb", mtime=0,
                                                    filename="") as packed:
            packed.write(page)
    else:
        with open(path, "wb") as plain:
            plain.write(page)


def write_completion(path, top, helps, named):
    commands = []
    subs = {command: list(words) for command, words in named.items() if words}
    options = {"_": top.option_names() or ["--help", "--version", "--workspace"]}
    valued = dict(top.valued_options())
    for entry in helps:
        key = " ".join(entry.words)
        options[key] = entry.option_names()
        valued.update(entry.valued_options())
        if len(entry.words) == 1:
            commands.append(entry.words[0])
    for word in ("--help", "--version"):
        if word not in options["_"]:
            options["_"].append(word)
    if "--workspace" not in options["_"]:
        options["_"].append("--workspace")
        valued["--workspace"] = "DIR"
    lines = [
        "# bash completion for digitdesk. Generated by installer/clidocs.py from digitdesk's",
        "# --help texts: do not edit.",
        "_digitdesk()",
        "{",
        "    local cur=${COMP_WORDS[COMP_CWORD]} prev=${COMP_WORDS[COMP_CWORD-1]}",
        "    local commands=\"" + " ".join(commands) + "\"",
        "    local -A subcommands=(" + " ".join(
            f'[{c}]="{" ".join(s)}"' for c, s in sorted(subs.items())) + ")",
        "    local -A options=(" + " ".join(
            f'["{k}"]="{" ".join(v)}"' for k, v in sorted(options.items())) + ")",
        "    local -A values=(" + " ".join(
            f'[{k}]="{v}"' for k, v in sorted(valued.items())) + ")",
        "    local command= sub= i word",
        "    for ((i = 1; i < COMP_CWORD; i++)); do",
        "        word=${COMP_WORDS[i]}",
        "        if [[ -n $word && -n ${values[$word]+set} ]]; then",
        "            ((i++))",
        "        elif [[ $word != -* ]]; then",
        "            if [[ -z $command ]]; then",
        "                command=$word",
        "            elif [[ -z $sub && \" ${subcommands[$command]} \" == *\" $word \"* ]]; then",
        "                sub=$word",
        "            fi",
        "        fi",
        "    done",
        "    if [[ -n $prev && -n ${values[$prev]+set} ]]; then",
        "        case ${values[$prev]} in",
        "            *\\|*) COMPREPLY=($(compgen -W \"${values[$prev]//|/ }\" -- \"$cur\")) ;;",
        "            *DIR* | *FOLDER*) COMPREPLY=($(compgen -d -- \"$cur\")) ;;",
        "            *FILE* | *PATH* | *IMAGES* | *LABELS*) COMPREPLY=($(compgen -f -- \"$cur\")) ;;",
        "            *) COMPREPLY=() ;;",
        "        esac",
        "        return 0",
        "    fi",
        "    if [[ $cur == -* ]]; then",
        "        local key=${command:-_}${sub:+ $sub}",
        "        COMPREPLY=($(compgen -W \"${options[$key]-${options[${command:-_}]}}\" -- \"$cur\"))",
        "    elif [[ -z $command ]]; then",
        "        COMPREPLY=($(compgen -W \"$commands\" -- \"$cur\"))",
        "    elif [[ -z $sub && -n ${subcommands[$command]} ]]; then",
        "        COMPREPLY=($(compgen -W \"${subcommands[$command]}\" -- \"$cur\"))",
        "    else",
        "        COMPREPLY=($(compgen -f -- \"$cur\"))",
        "    fi",
        "    return 0",
        "}",
        "complete -o filenames -F _digitdesk digitdesk",
    ]
    with open(path, "w", encoding="utf-8") as script:
        script.write("\n".join(lines) + "\n")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("binary")
    parser.add_argument("--man")
    parser.add_argument("--bash-completion")
    parser.add_argument("--version", default="")
    parser.add_argument("--check", action="store_true")
    arguments = parser.parse_args()
    top, helps, named, problems = collect(arguments.binary)
    for problem in problems:
        print(("" if arguments.check else "clidocs: warning: ") + problem,
              file=sys.stdout if arguments.check else sys.stderr)
    if arguments.man:
        write_man(arguments.man, top, helps, arguments.version)
    if arguments.bash_completion:
        write_completion(arguments.bash_completion, top, helps, named)
    return 1 if arguments.check and problems else 0


if __name__ == "__main__":
    sys.exit(main())
