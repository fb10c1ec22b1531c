"""tinyres: learn ResNet by building it, a NumPy/CuPy framework with hand-written backward passes."""
from . import backend, functional, models, nn, optim
from .backend import get_default_dtype, manual_seed, set_default_dtype
from .function import Function, OpError
from .inspect.gradcheck import GradcheckError, gradcheck
from .io import CheckpointError, load, save
from .tensor import Tensor, enable_grad, is_grad_enabled, no_grad, tensor

__version__ = "0.1.0"

__all__ = ["Tensor", "tensor", "no_grad", "enable_grad", "is_grad_enabled", "Function", "OpError",
           "functional", "backend", "gradcheck", "GradcheckError", "manual_seed", "get_default_dtype",
           "set_default_dtype", "save", "load", "CheckpointError", "nn", "models", "optim", "__version__"]
