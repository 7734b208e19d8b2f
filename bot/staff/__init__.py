"""The staff console under /staff: an aiohttp sub-application (see ``create_staff_app``)."""
