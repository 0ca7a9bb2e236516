"""Optimization algorithms (torch.optim): the optimizers, their base class and lr_scheduler."""
from . import lr_scheduler  # noqa: F401
from .adagrad import Adagrad
from .adam import Adam
from .adamax import Adamax
from .adamw import AdamW
from .nadam import NAdam
from .optimizer import Optimizer
from .radam import RAdam
from .rmsprop import RMSprop
from .sgd import SGD
from ._api2_optims import *  # noqa: F401,F403

__all__ = [
    "Adagrad",
    "Adam",
    "Adamax",
    "AdamW",
    "lr_scheduler",
    "NAdam",
    "Optimizer",
    "RAdam",
    "RMSprop",
    "SGD",
]
