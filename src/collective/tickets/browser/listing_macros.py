"""The macros the ticket listings share, for their templates only."""

from Products.Five.browser import BrowserView
from Products.Five.browser.pagetemplatefile import ViewPageTemplateFile
from zExceptions import NotFound


class ListingMacros(BrowserView):
    """``context/@@ticket-listing-macros/macros`` in a listing's template.

    The macros need the listing's view; the page itself shows nothing, so
    calling it answers 404 instead of failing.
    """

    template = ViewPageTemplateFile("templates/listing_macros.pt")

    @property
    def macros(self):
        return self.template.macros

    def __call__(self):
        raise NotFound("ticket-listing-macros")
