import dagster as dg

from assets.resources import WarehouseResource, XxgkSettings


@dg.definitions
def resources() -> dg.Definitions:
    return dg.Definitions(resources={"settings": XxgkSettings(), "warehouse": WarehouseResource()})
