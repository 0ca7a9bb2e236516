"""``DistributedSampler``, mirroring torch.utils.data.distributed: each of ``num_replicas`` processes
iterates its own strided share of one (optionally shuffled and padded) index list."""
import math

import oxytorch as _torch

from .sampler import Sampler

__all__ = ["DistributedSampler"]

_NO_GROUP = "Default process group has not been initialized, please make sure to call init_process_group."


class DistributedSampler(Sampler):
    """Restricts loading to a subset of the dataset; the shuffle depends on ``seed + epoch`` only, so every
    replica draws the same permutation (call ``set_epoch`` each epoch to reshuffle)."""

    def __init__(self, dataset, num_replicas=None, rank=None, shuffle=True, seed=0, drop_last=False):
        # oxytorch has no process groups, so the world size and rank must be given
        if num_replicas is None or rank is None:
            raise ValueError(_NO_GROUP)
        if rank >= num_replicas or rank < 0:
            raise ValueError(f"Invalid rank {rank}, rank should be in the interval [0, {num_replicas - 1}]")
        self.dataset = dataset
        self.num_replicas = num_replicas
        self.rank = rank
        self.epoch = 0
        self.drop_last = drop_last
        n = len(dataset)
        if drop_last and n % num_replicas != 0:
            self.num_samples = math.ceil((n - num_replicas) / num_replicas)
        else:
            self.num_samples = math.ceil(n / num_replicas)
        self.total_size = self.num_samples * num_replicas
        self.shuffle = shuffle
        self.seed = seed

    def __iter__(self):
        n = len(self.dataset)
        if self.shuffle:
            g = _torch.Generator()
            g.manual_seed(self.seed + self.epoch)
            indices = _torch.randperm(n, generator=g).tolist()
        else:
            indices = list(range(n))
        if not self.drop_last:
            pad = self.total_size - len(indices)
            if pad <= len(indices):
                indices += indices[:pad]
            else:
                indices += (indices * math.ceil(pad / len(indices)))[:pad]
        else:
            indices = indices[: self.total_size]
        if len(indices) != self.total_size:
            raise AssertionError(f"{len(indices)} != {self.total_size}")
        indices = indices[self.rank : self.total_size : self.num_replicas]
        if len(indices) != self.num_samples:
            raise AssertionError(f"{len(indices)} != {self.num_samples}")
        return iter(indices)

    def __len__(self):
        return self.num_samples

    def set_epoch(self, epoch):
        """Sets the epoch; with ``shuffle=True`` each epoch gets its own ordering."""
        self.epoch = epoch
