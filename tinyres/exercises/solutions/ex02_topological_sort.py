"""Exercise 2 - the order of the backward pass (a topological sort).

Tensor.backward() calls each Function's backward once, and only when the gradient of that
Function's output is complete: after every Function that USED the output has sent its
share back. That order is a topological order of the graph, read from the loss backwards.

The graph is tinyres's own: a Function ``fn`` has ``fn.inputs``, a tuple of Tensors, and a
Tensor ``t`` has ``t.creator``, the Function that produced it (None for a leaf such as a
weight or the input images).
"""


def topological_order(root):
    """Every Function reachable from ``root``, each listed once, each BEFORE the Functions
    that created its inputs (so ``root`` comes first).

    Maths: if Function A consumes the output of B (some t in A.inputs has t.creator is B),
    A must come before B in the list.
    Shapes: returns a list of Function objects.
    Hint: depth-first search with an explicit stack of (fn, children_done) pairs and a set
    of visited ids; append fn to a list once its children are done ("post-order"), and
    reverse that list at the end. A node used twice (a residual block's input is used by
    the branch AND the shortcut) must still appear once. Do not recurse: the graph of a
    deep network is thousands of Functions long.
    """
    post, visited, stack = [], set(), [(root, False)]
    while stack:
        fn, children_done = stack.pop()
        if children_done:
            post.append(fn)
            continue
        if id(fn) in visited:
            continue
        visited.add(id(fn))
        stack.append((fn, True))
        for t in fn.inputs:
            if t.creator is not None and id(t.creator) not in visited:
                stack.append((t.creator, False))
    post.reverse()
    return post
