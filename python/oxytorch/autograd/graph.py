"""``torch.autograd.graph``: the node type of the graph."""
from .. import _C

Node = _C.Node
