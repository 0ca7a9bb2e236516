"""Train a small CNN on the 8x8 handwritten digits (1,797 images shipped with the package), the
way the PyTorch cheat-sheet does it: nn.Module, DataLoader, CrossEntropyLoss, Adam, and a
checkpoint dict with the epoch, the model state and the optimizer state.

    python -m oxytorch.examples.digits                 # train, save digits_ckpt.pth
    python -m oxytorch.examples.digits --resume        # continue from the checkpoint
    python -m oxytorch.examples.digits --backend torch # the same script on real PyTorch

The code below is plain PyTorch code; only the import differs.
"""
import argparse
import gzip
import importlib
import os
import sys
import time

DATA = os.path.join(os.path.dirname(__file__), "data", "digits.csv.gz")


def load_digits(torch):
    """The dataset as (images N x 1 x 8 x 8 float32 in [0, 1], labels N int64)."""
    with gzip.open(DATA, "rt") as f:
        rows = [[int(v) for v in line.split(",")] for line in f if line.strip()]
    pixels = torch.tensor([r[:64] for r in rows], dtype=torch.float32) / 16.0
    labels = torch.tensor([r[64] for r in rows], dtype=torch.int64)
    return pixels.view(-1, 1, 8, 8), labels


def make_model(nn):
    class DigitsNet(nn.Module):
        def __init__(self):
            super().__init__()
            self.features = nn.Sequential(
                nn.Conv2d(1, 32, kernel_size=3, padding=1),
                nn.ReLU(),
                nn.MaxPool2d(2),  # 8x8 -> 4x4
                nn.Conv2d(32, 64, kernel_size=3, padding=1),
                nn.ReLU(),
                nn.MaxPool2d(2),  # 4x4 -> 2x2
            )
            self.classifier = nn.Sequential(
                nn.Flatten(),
                nn.Linear(64 * 2 * 2, 128),
                nn.ReLU(),
                nn.Dropout(0.2),
                nn.Linear(128, 10),
            )

        def forward(self, x):
            return self.classifier(self.features(x))

    return DigitsNet()


def progress(prefix, done, total, extra="", width=30, stream=sys.stdout):
    filled = int(width * done / max(total, 1))
    bar = "#" * filled + "-" * (width - filled)
    stream.write(f"\r{prefix} [{bar}] {done}/{total} {extra}")
    if done == total:
        stream.write("\n")
    stream.flush()


def evaluate(torch, model, loader):
    model.eval()
    correct = total = 0
    with torch.no_grad():
        for x, y in loader:
            pred = model(x).argmax(dim=1)
            correct += (pred == y).sum().item()
            total += y.numel()
    return correct / max(total, 1)


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--epochs", type=int, default=15)
    p.add_argument("--batch-size", type=int, default=32)
    p.add_argument("--lr", type=float, default=1e-3)
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--ckpt", default="digits_ckpt.pth")
    p.add_argument("--resume", action="store_true", help="continue from --ckpt")
    p.add_argument("--target", type=float, default=0.97, help="report the time to reach this test accuracy")
    p.add_argument("--backend", default="oxytorch", choices=["oxytorch", "torch"], help="run on oxytorch or real PyTorch")
    args = p.parse_args(argv)

    torch = importlib.import_module(args.backend)
    nn = torch.nn
    from_data = importlib.import_module(args.backend + ".utils.data")
    DataLoader, TensorDataset, random_split = from_data.DataLoader, from_data.TensorDataset, from_data.random_split

    torch.manual_seed(args.seed)
    images, labels = load_digits(torch)
    dataset = TensorDataset(images, labels)
    n_test = len(dataset) // 5
    train_set, test_set = random_split(dataset, [len(dataset) - n_test, n_test], generator=torch.Generator().manual_seed(args.seed))
    train_loader = DataLoader(train_set, batch_size=args.batch_size, shuffle=True, generator=torch.Generator().manual_seed(args.seed))
    test_loader = DataLoader(test_set, batch_size=256)

    model = make_model(nn)
    optimizer = torch.optim.Adam(model.parameters(), lr=args.lr)
    criterion = nn.CrossEntropyLoss()

    start_epoch = 0
    if args.resume:
        ckpt = torch.load(args.ckpt, map_location="cpu")
        model.load_state_dict(ckpt["model_state"])
        optimizer.load_state_dict(ckpt["optim_state"])
        start_epoch = ckpt["epoch"] + 1
        print(f"resumed from {args.ckpt} at epoch {start_epoch} (test accuracy {ckpt.get('test_acc', float('nan')):.4f})")

    print(f"{args.backend} {torch.__version__}: {len(train_set)} training and {len(test_set)} test images, {sum(p.numel() for p in model.parameters())} parameters")
    t0 = time.perf_counter()
    reached = None
    acc = float("nan")
    for epoch in range(start_epoch, args.epochs):
        model.train()
        running, seen = 0.0, 0
        nb = len(train_loader)
        for i, (x, y) in enumerate(train_loader):
            optimizer.zero_grad()
            loss = criterion(model(x), y)
            loss.backward()
            optimizer.step()
            running += loss.item() * y.shape[0]
            seen += y.shape[0]
            progress(f"epoch {epoch + 1:2d}/{args.epochs}", i + 1, nb, f"loss {running / seen:.4f}")
        acc = evaluate(torch, model, test_loader)
        elapsed = time.perf_counter() - t0
        print(f"epoch {epoch + 1:2d}: train loss {running / max(seen, 1):.4f}, test accuracy {acc:.4f} ({elapsed:.1f}s)")
        if reached is None and acc >= args.target:
            reached = elapsed
        ckpt = {
            "epoch": epoch,
            "model_state": model.state_dict(),
            "optim_state": optimizer.state_dict(),
            "test_acc": acc,
        }
        torch.save(ckpt, args.ckpt)
    if reached is not None:
        print(f"reached {args.target:.0%} test accuracy after {reached:.1f}s of training")
    print(f"final test accuracy {acc:.4f}; checkpoint in {args.ckpt}")
    return acc


if __name__ == "__main__":
    main()
