import dagster as dg

from assets.resources import WarehouseResource, XxgkSettings


@dg.definitions
def resources() -> dg.Definitions:
    # Every job runs its steps in one process: the warehouse's run lock, taken when the
    # `warehouse` resource starts, then covers the run from planning to its last step.
    return dg.Definitions(
        resources={"settings": XxgkSettings(), "warehouse": WarehouseResource()},
        executor=dg.in_process_executor,
    )
