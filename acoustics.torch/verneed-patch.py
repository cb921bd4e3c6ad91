#!/usr/bin/env python3
"""Rewrites one version requirement of an ELF64 shared object in place: the GLIBCXX_3.4.32 entry of
.gnu.version_r is made to name GLIBCXX_3.4.30 (string and ELF hash), after patchelf --clear-symbol-version has
released the only symbol that needed it. Used by glibcxx-shim.sh; see its header."""
import struct, sys

def elf_hash(name):
    h = 0
    for c in name.encode():
        h = ((h << 4) + c) & 0xffffffff
        g = h & 0xf0000000
        if g: h ^= g >> 24
        h &= ~g & 0xffffffff
    return h

path, old, new = sys.argv[1], sys.argv[2], sys.argv[3]
data = bytearray(open(path, 'rb').read())
shoff, = struct.unpack_from('<Q', data, 0x28)
shentsize, shnum, shstrndx = struct.unpack_from('<HHH', data, 0x3a)
sections = [struct.unpack_from('<IIQQQQIIQQ', data, shoff + i * shentsize) for i in range(shnum)]
SHT_GNU_verneed = 0x6ffffffe
verneed = next(s for s in sections if s[1] == SHT_GNU_verneed)
dynstr_off = sections[verneed[6]][4]
def string(at):
    end = data.index(b'\0', dynstr_off + at)
    return data[dynstr_off + at:end].decode()
new_at = data.find(new.encode() + b'\0', dynstr_off) - dynstr_off
if new_at < 0 or string(new_at) != new: sys.exit(f'{new} not in .dynstr')
offset, done = verneed[4], 0
while True:
    vn_version, vn_cnt, vn_file, vn_aux, vn_next = struct.unpack_from('<HHIII', data, offset)
    aux = offset + vn_aux
    for _ in range(vn_cnt):
        vna_hash, vna_flags, vna_other, vna_name, vna_next = struct.unpack_from('<IHHII', data, aux)
        if string(vna_name) == old:
            struct.pack_into('<IHHII', data, aux, elf_hash(new), vna_flags, vna_other, new_at, vna_next)
            done += 1
        aux += vna_next
    if vn_next == 0: break
    offset += vn_next
if not done: sys.exit(f'no requirement {old}')
open(path, 'wb').write(data)
print(f'{path}: {done} requirement(s) {old} -> {new}')
