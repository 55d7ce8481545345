#!/usr/bin/env bash
# Compiles the two engines for run.sh and bench.sh (sourced, not run): the C engine of git
# revision $base with its global symbols renamed old_*, into $work/old.o, and the one of the
# working tree into $work/new-obj/. Needs $root, $work, $base; gcc, binutils, libpng, ISA-L, zlib.
# The engine's folder: CImageEngine now, CPNGShim in revisions before the rename.
engine="services/processor/Sources/CImageEngine"
old_engine=$engine
git -C "$root" cat-file -e "$base:$old_engine" 2>/dev/null || old_engine="services/processor/Sources/CPNGShim"
cflags=(-O2 -g -Wall -Wno-unused-parameter -fPIC)
libs=(-lpng16 -lisal -lz -lm)

mkdir -p "$work/old/include" "$work/old-obj" "$work/new-obj"
git -C "$root" ls-tree -r --name-only "$base" "$old_engine/" | while read -r path; do
    git -C "$root" show "$base:$path" > "$work/old/${path#"$old_engine/"}"
done
for source in "$work"/old/*.c; do
    gcc "${cflags[@]}" -I"$work/old" -c "$source" -o "$work/old-obj/$(basename "$source" .c).o"
done
ld -r -o "$work/old.o" "$work"/old-obj/*.o
nm -g --defined-only "$work/old.o" | awk '{ print $3, "old_" $3 }' > "$work/rename"
objcopy --redefine-syms="$work/rename" "$work/old.o"

for source in "$root/$engine"/*.c; do
    gcc "${cflags[@]}" ${new_cflags[@]+"${new_cflags[@]}"} -I"$root/$engine" -c "$source" \
        -o "$work/new-obj/$(basename "$source" .c).o"
done
