"""How data/mnist was made: the first 1000 training images of each digit 0-9 of the original
MNIST training set, in their original order, bytes unchanged, written as gzip IDX; and the whole
test set (t10k-*.gz), copied unchanged.
Run: python3 make_subset.py <dir with the four original files: train-* and t10k-*, idx .gz>"""
import gzip, shutil, struct, sys

src = sys.argv[1]
with gzip.open(f"{src}/train-images-idx3-ubyte.gz") as f:
    magic, n, rows, cols = struct.unpack(">IIII", f.read(16)); images = f.read()
with gzip.open(f"{src}/train-labels-idx1-ubyte.gz") as f:
    lmagic, ln = struct.unpack(">II", f.read(8)); labels = f.read()
assert magic == 0x803 and lmagic == 0x801 and n == ln
keep, count = [], [0] * 10
for i, y in enumerate(labels):
    if count[y] < 1000:
        count[y] += 1; keep.append(i)
size = rows * cols
with gzip.GzipFile("train-images-idx3-ubyte.gz", "wb", 9, mtime=0) as f:
    f.write(struct.pack(">IIII", 0x803, len(keep), rows, cols))
    f.write(b"".join(images[i * size:(i + 1) * size] for i in keep))
with gzip.GzipFile("train-labels-idx1-ubyte.gz", "wb", 9, mtime=0) as f:
    f.write(struct.pack(">II", 0x801, len(keep)))
    f.write(bytes(labels[i] for i in keep))
for name in ("t10k-images-idx3-ubyte.gz", "t10k-labels-idx1-ubyte.gz"):
    shutil.copyfile(f"{src}/{name}", name)
print(len(keep), "images kept; per digit:", count)
