# Sourced by the scripts that need the emulator (`. scripts/use-emulator.sh`, from the repository
# root): starts it unless one already runs, and stops it again on exit only if it started it here.
started_emulator=0
stop_started_emulator() { if [ "$started_emulator" = 1 ]; then scripts/emulator.sh stop >/dev/null; fi; }
trap stop_started_emulator EXIT
if ! scripts/emulator.sh status >/dev/null 2>&1; then
  started_emulator=1
  scripts/emulator.sh start || exit 1
fi
