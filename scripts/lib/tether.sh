# Runs a command that cannot tell when `pnpm start` is gone (redis-server) and ends it then:
#   sh scripts/lib/tether.sh COMMAND [ARG...]
# The command reads its stdin from this script's fd 3 (redis-server's configuration, secrets
# included, so they never show in the process list). This script's own stdin is a pipe whose
# write end the supervisor and every app it started hold: it reaches its end only once all of
# them have exited, however they did (a SIGKILL too), and the command then gets SIGTERM, last.
# A SIGTERM or SIGINT to this script is passed on to the command; it exits with the command's
# status. It writes nothing itself: nobody may be reading its output any more.

"$@" <&3 3<&- &
child=$!
exec 3<&-
trap 'kill -TERM "$child" 2>/dev/null' TERM INT HUP

# The watch, in a subshell of its own: a shell's background job reads /dev/null instead of
# stdin, so the pipe is handed over as fd 4. `read` fails at the end of the pipe.
exec 4<&0
(
  while read -r _ <&4; do :; done
  kill -TERM "$child" 2>/dev/null
) &
watch=$!
exec 4<&-

# `wait` returns early when a trapped signal arrives: wait again until the command has exited.
while :; do
  wait "$child"
  status=$?
  kill -0 "$child" 2>/dev/null || break
done
kill "$watch" 2>/dev/null
exit "$status"
