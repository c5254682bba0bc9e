#!/usr/bin/env bash
# Peak resident memory of a whole process tree.
#
#   bench/treerss.sh ROOT_PID OUT_FILE [INTERVAL_SECONDS]
#
# Every INTERVAL (default 0.1 s) it takes one `ps` snapshot of all processes, finds every
# descendant of ROOT_PID through the ppid links (ROOT_PID itself is excluded: run.sh makes it the
# /usr/bin/time process, whose 2 MB are not the program under test), and sums their RSS (VmRSS, KiB).
# A child caught between vfork/posix_spawn and exec (same name and RSS as its parent: it shares the
# parent's memory) is not counted twice. It stops when ROOT_PID is gone. OUT_FILE gets, rewritten at each new maximum:
#   <peak KiB> <samples so far> <name:KiB ...breakdown at the peak>
# and at the end the final sample count. OUT_FILE.cpu gets the CPU seconds (user+sys, last value
# seen for each process, so up to one interval short) summed by process name: "name:secs ...". Summing RSS counts shared pages (libc, ...) once per
# process, so the figure is an upper bound, which is what a container memory limit cares about.
set -u
root=$1 out=$2 interval=${3:-0.1}
peak=0 breakdown="" samples=0
declare -A cpu_of  # pid -> "name ticks", last seen
hz=$(getconf CLK_TCK)
while kill -0 "$root" 2>/dev/null; do
    mapfile -t lines < <(ps -e -o pid=,ppid=,rss=,comm= 2>/dev/null | awk -v root="$root" '
        { pid[NR] = $1; ppid[NR] = $2; rss[NR] = $3; comm[NR] = $4; n = NR }
        END {
            in_tree[root] = 1; changed = 1
            while (changed) {            # fixed point over ppid links: tolerant of any ps order
                changed = 0
                for (i = 1; i <= n; i++)
                    if (!(pid[i] in in_tree) && (ppid[i] in in_tree)) { in_tree[pid[i]] = 1; changed = 1 }
            }
            for (i = 1; i <= n; i++) { idx[pid[i]] = i }
            sum = 0; parts = ""; cpu = ""
            for (i = 1; i <= n; i++)
                if (pid[i] != root && (pid[i] in in_tree)) {
                    f = "/proc/" pid[i] "/stat"
                    if ((getline st < f) > 0) {
                        sub(/^.*\) /, "", st); split(st, a, " ")  # a[12], a[13] = utime, stime
                        cpu = cpu "\n" pid[i] " " comm[i] " " (a[12] + a[13])
                    }
                    close(f)
                    p = idx[ppid[i]]
                    # A child caught between vfork/posix_spawn and exec (java -> jspawnhelper) shares
                    # its parent memory and shows the same name and RSS: count that memory once.
                    if (p && comm[p] == comm[i] && rss[p] == rss[i]) continue
                    sum += rss[i]; parts = parts " " comm[i] ":" rss[i]
                }
            print sum parts cpu
        }')
    line=${lines[0]:-}
    for l in "${lines[@]:1}"; do
        cpu_of[${l%% *}]=${l#* }
    done
    samples=$((samples + 1))
    kb=${line%% *}
    if [[ -n "$kb" && "$kb" -gt "$peak" ]]; then
        peak=$kb
        breakdown=${line#"$kb"}
        echo "$peak $samples$breakdown" > "$out"
    fi
    sleep "$interval"
done
echo "$peak $samples$breakdown" > "$out"
for v in "${cpu_of[@]}"; do echo "$v"; done | awk -v hz="$hz" '
    { t[$1] += $2 } END { for (c in t) printf "%s:%.1f ", c, t[c] / hz; print "" }' > "$out.cpu"
