#!/usr/bin/env bash
# Regenerates the committed clips of this folder with other tools than our generator: sox 14.4 and espeak-ng
# (Debian 12 packages). Their output is ours to license: CC0 1.0 (see LICENSE.md). 16 kHz mono, 16-bit.
set -euo pipefail
cd "$(dirname "$0")"
t=$(mktemp -d); trap 'rm -rf "$t"' EXIT
R="-r 16000 -c 1 -b 16"
mkdir -p doorbell music speech siren car_horn
# doorbell: a two-note chime (E5 then C5), decaying, twice, in quiet pink noise
sox -n $R $t/a.wav synth 0.7 sine 659 fade q 0.005 0.7 0.65 gain -6
sox -n $R $t/b.wav synth 1.3 sine 523 fade q 0.005 1.3 1.25 gain -6
sox $t/a.wav $t/b.wav $t/a.wav $t/b.wav $t/chime.wav
sox -n $R $t/n.wav synth 4 pinknoise gain -40
sox -m $t/chime.wav $t/n.wav doorbell/sox-chime-1.wav trim 0 4
sox -n $R $t/c.wav synth 0.5 sine 784 sine 1568 remix - fade q 0.005 0.5 0.45 gain -6
sox -n $R $t/d.wav synth 1.0 sine 622 sine 1244 remix - fade q 0.005 1.0 0.95 gain -6
sox $t/c.wav $t/d.wav $t/c.wav $t/d.wav $t/c.wav doorbell/sox-chime-2.wav trim 0 4
# music: plucked-string melodies (Karplus–Strong in sox)
i=0; for n in C4 E4 G4 C5 G4 E4 C4 D4 F4 A4 D5; do sox -n $R $t/p$(printf %02d $i).wav synth 0.35 pluck $n gain -8; i=$((i+1)); done
sox $t/p*.wav music/sox-pluck-melody-1.wav
i=0; for n in A3 C4 E4 A4 E4 C4 B3 D4 G4 B4 G4 D4; do sox -n $R $t/q$(printf %02d $i).wav synth 0.3 pluck $n gain -8; i=$((i+1)); done
sox $t/q*.wav music/sox-pluck-melody-2.wav
# speech: espeak-ng voices
espeak-ng -v en-us -s 150 -w $t/s1.wav "The meeting has been moved to Thursday afternoon, please bring the quarterly figures and the new plans."
sox $t/s1.wav $R speech/espeak-en-us.wav trim 0 4
espeak-ng -v en-gb-x-rp -p 70 -s 170 -w $t/s2.wav "Could you tell me where the nearest station is? I think I have taken the wrong turn somewhere."
sox $t/s2.wav $R speech/espeak-en-gb.wav trim 0 4
# siren: a wail (sine sweeping 650–1500 Hz and back every 2 s) and a hi-lo (450/600 Hz, 0.5 s each), with harmonics, in pink noise
sox -n $R $t/up.wav synth 1 sine 650-1500 sine 1300-3000 remix - gain -6
sox -n $R $t/down.wav synth 1 sine 1500-650 sine 3000-1300 remix - gain -6
sox $t/up.wav $t/down.wav $t/up.wav $t/down.wav $t/wail.wav
sox -m $t/wail.wav $t/n.wav siren/sox-wail.wav trim 0 4
sox -n $R $t/hi.wav synth 0.5 square 600 gain -14
sox -n $R $t/lo.wav synth 0.5 square 450 gain -14
sox $t/hi.wav $t/lo.wav $t/hi.wav $t/lo.wav $t/hi.wav $t/lo.wav $t/hi.wav $t/lo.wav siren/sox-hilo.wav
# car horn: two held tones (a 420/520 Hz pair, sawtooth-rich) for 2.5 s, after 0.5 s of quiet noise
sox -n $R $t/h.wav synth 2.5 sawtooth 420 sawtooth 520 remix - gain -10
sox -n $R $t/q.wav synth 0.5 pinknoise gain -40
sox $t/q.wav $t/h.wav $t/q.wav car_horn/sox-two-tone.wav
sox -n $R $t/h2.wav synth 1.8 square 480 square 600 remix - gain -14
sox $t/q.wav $t/h2.wav $t/q.wav $t/h2.wav car_horn/sox-square-pair.wav trim 0 4
