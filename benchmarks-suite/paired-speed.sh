#!/usr/bin/env bash
# Pretext's training step against its PyTorch twin, measured side by side: A B A B A B, the same
# method, batch and thread count, in one time window; prints and writes the ratio of medians.
#   benchmarks-suite/paired-speed.sh TORCH_STEP_PY [method] [threads] [rounds] [batch]
#   e.g. benchmarks-suite/paired-speed.sh ../shared/reference/torch_step.py simclr 1 3
# ResNet-20: ENCODER_TYPE=resnet20 with benchmarks-suite/reference/torch_resnet20_step.py.
# Needs `./mvnw -q -DskipTests install` first (for benchmarks-suite/target/lib) and Debian's
# python3-torch. Pretext runs with the launcher's malloc settings (bin/pretext); PyTorch as is.
set -euo pipefail
torch_step=${1:?path to torch_step.py}
method=${2:-simclr}
threads=${3:-1}
rounds=${4:-3}
batch=${5:-256}
cd "$(dirname "$0")/.."
encoder_type=${ENCODER_TYPE:-conv4}
out=${OUT:-benchmarks-suite/target/paired-$encoder_type-$method-$threads}
mkdir -p "$out"
for r in $(seq 1 "$rounds"); do
  MALLOC_ARENA_MAX=1 MALLOC_MMAP_MAX_=0 MALLOC_TRIM_THRESHOLD_=68719476736 OMP_NUM_THREADS=$threads \
    java -cp "benchmarks-suite/target/lib/*:benchmarks-suite/target/classes" \
    dev.pretext.benchmarks.ThroughputBenchmark --methods "$method" --encoder-type "$encoder_type" \
    --batch "$batch" --warmup 3 --steps 8 \
    --out "$out/pretext-$r.json" | grep 'img/s'
  OMP_NUM_THREADS=$threads /usr/bin/python3 "$torch_step" --method "$method" --batch "$batch" \
    --threads "$threads" --warmup 3 --steps 8 --json "$out/torch-$r.json"
done
python3 - "$out" "$rounds" "$method" "$threads" <<'PY'
import json, statistics, sys
out, rounds, method, threads = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4]
p = [json.load(open(f"{out}/pretext-{r}.json"))["results"][0]["images_per_second"] for r in range(1, rounds + 1)]
t = [json.load(open(f"{out}/torch-{r}.json"))["images_per_second"] for r in range(1, rounds + 1)]
res = {"method": method, "threads": int(threads), "pretext_img_s": p, "torch_img_s": t,
       "ratio_of_medians": statistics.median(p) / statistics.median(t)}
json.dump(res, open(f"{out}/paired.json", "w"), indent=1)
print(f"{method}, {threads} thread(s): Pretext median {statistics.median(p):.1f} img/s, PyTorch "
      f"{statistics.median(t):.1f} img/s -> {res['ratio_of_medians']:.2f}x ({out}/paired.json)")
PY
