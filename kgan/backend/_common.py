"""Messages shared by the backend modules."""


def created_outside_error(model):
    """The error for a model fitted in a data-parallel scope it was not built in."""
    return ValueError(
        f"{model.name} was created outside the data-parallel scope it is being "
        "fitted in, so its weights are not on the scope's devices. Create the "
        "model and call compile() inside `with kgan.distribute(...)`, then fit "
        "it there."
    )
