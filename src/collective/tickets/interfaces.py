from zope.publisher.interfaces.browser import IDefaultBrowserLayer


class ICollectiveTicketsLayer(IDefaultBrowserLayer):
    """Marker for the requests of a site that has collective.tickets installed."""
