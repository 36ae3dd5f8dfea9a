# Bash completion for stap and staprun (stap on eBPF).  Installed as
# share/bash-completion/completions/stap (staprun a link to it); source it
# by hand elsewhere.  Self-contained: it does not need the bash-completion
# package's helpers.
#
#   stap -<TAB>                 the options of `stap --help`
#   stap -l 'sched<TAB>         probe points, from `stap -l 'WORD*'` (wildcards kept)
#   stap -e 'probe kernel.t<TAB>   probe points after "probe" in a script
#   stap -e '... exec<TAB>      tapset functions, from `stap --dump-functions`
#   stap -p <TAB>, --runtime=<TAB>, --privilege=<TAB>, -x <TAB> (PIDs), files

# The options, read once from the stap being completed.
_stap_options()
{
	"$1" --help 2>/dev/null | grep -oE '(^|[[:space:]])--?[A-Za-z][-A-Za-z]*=?' |
		tr -d ' \t' | sort -u
}

# Probe points completing WORD.  A word inside a string argument
# (kernel.trace("sched:sw) is closed and listed by `stap -l 'WORD*")'`, a
# dotted one by `stap -l 'WORD*'`; a first component is one of the families
# (`stap --dump-probe-types`, and those it does not list: the kernel
# function and process kinds, the generated syscall family, the tapset's
# aliases).
_stap_probes()
{
	local stap=$1 word=$2 quotes=${2//[^\"]/}
	if ((${#quotes} % 2 == 1)); then
		"$stap" -l "$word*\")" 2>/dev/null | head -n 500
	elif [[ $word == *.* ]]; then
		"$stap" -l "$word*" 2>/dev/null | head -n 500
	else
		{
			"$stap" --dump-probe-types 2>/dev/null | sed 's/[.(].*//'
			printf '%s\n' kernel module kprobe process syscall syscall_any nd_syscall \
				scheduler signal kprocess
		} | sort -u | grep "^$word" | sed 's/$/./'
	fi
}

# Each line of stdin with $1 before it (the part of the word already there;
# sed would read its & and \\).
_stap_prefix()
{
	local line
	while IFS= read -r line; do
		printf '%s%s\n' "$1" "$line"
	done
}

_stap_functions()
{
	"$1" --dump-functions 2>/dev/null | sed -n 's/^\([A-Za-z][A-Za-z0-9_]*\).*/\1/p' |
		sort -u
}

_stap()
{
	local cur=${COMP_WORDS[COMP_CWORD]} prev=
	((COMP_CWORD > 0)) && prev=${COMP_WORDS[COMP_CWORD - 1]}
	local stap=${COMP_WORDS[0]}
	command -v "$stap" >/dev/null 2>&1 || stap=stap
	COMPREPLY=()
	local IFS=$'\n'

	case $prev in
	-p)
		COMPREPLY=($(compgen -W $'1\n2\n3\n4\n5' -- "$cur"))
		return
		;;
	-l | -L)
		local quote= word=$cur
		if [[ $word == [\'\"]* ]]; then
			quote=${word:0:1}
			word=${word:1}
		fi
		COMPREPLY=($(_stap_probes "$stap" "$word" | _stap_prefix "$quote"))
		compopt -o nospace 2>/dev/null
		return
		;;
	-e)
		# the last word of the script so far: a probe point after
		# "probe", else a function name
		local last head
		if [[ $cur =~ (^|[^A-Za-z0-9_])probe[[:space:]]+([^[:space:]]*)$ ]]; then
			last=${BASH_REMATCH[2]}
			head=${cur:0:${#cur}-${#last}}
			COMPREPLY=($(_stap_probes "$stap" "$last" | _stap_prefix "$head"))
		else
			[[ $cur =~ [A-Za-z0-9_]*$ ]]
			last=${BASH_REMATCH[0]}
			head=${cur:0:${#cur}-${#last}}
			COMPREPLY=($(_stap_functions "$stap" | grep "^$last" | _stap_prefix "$head"))
		fi
		compopt -o nospace 2>/dev/null
		return
		;;
	-x)
		COMPREPLY=($(compgen -W "$(ls /proc | grep -E '^[0-9]+$')" -- "$cur"))
		return
		;;
	-c)
		COMPREPLY=($(compgen -c -- "$cur"))
		return
		;;
	-o | -d | -m)
		COMPREPLY=($(compgen -f -- "$cur"))
		return
		;;
	-I)
		COMPREPLY=($(compgen -d -- "$cur"))
		return
		;;
	-s | -T | -D | -G)
		return
		;;
	esac

	case $cur in
	--runtime=*)
		COMPREPLY=($(compgen -P --runtime= -W $'kernel\nbpf' -- "${cur#*=}"))
		return
		;;
	--privilege=*)
		COMPREPLY=($(compgen -P --privilege= -W $'stapusr\nstapsys\nstapdev' -- "${cur#*=}"))
		return
		;;
	--prologue-searching=*)
		COMPREPLY=($(compgen -P --prologue-searching= -W $'always\nnever\nauto' -- \
			"${cur#*=}"))
		return
		;;
	-*)
		COMPREPLY=($(compgen -W "$(_stap_options "$stap")" -- "$cur"))
		[[ ${COMPREPLY[0]-} == *= ]] && compopt -o nospace 2>/dev/null
		return
		;;
	esac
	# the script: a .stp file or a folder
	COMPREPLY=($(compgen -f -X '!*.stp' -- "$cur") $(compgen -d -- "$cur"))
}

_staprun()
{
	local cur=${COMP_WORDS[COMP_CWORD]} prev=
	((COMP_CWORD > 0)) && prev=${COMP_WORDS[COMP_CWORD - 1]}
	local IFS=$'\n'
	COMPREPLY=()
	case $prev in
	-c)
		COMPREPLY=($(compgen -c -- "$cur"))
		return
		;;
	-x)
		COMPREPLY=($(compgen -W "$(ls /proc | grep -E '^[0-9]+$')" -- "$cur"))
		return
		;;
	-o)
		COMPREPLY=($(compgen -f -- "$cur"))
		return
		;;
	esac
	case $cur in
	-*) COMPREPLY=($(compgen -W $'-o\n-c\n-x\n-v' -- "$cur")) ;;
	*) COMPREPLY=($(compgen -f -X '!*.so' -- "$cur") $(compgen -d -- "$cur")) ;;
	esac
}

complete -F _stap stap stap-ebpf
complete -F _staprun staprun staprun-ebpf
