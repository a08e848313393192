The staff desk. Staff write internal notes on any ticket, open or closed, with
text and files, shown in the conversation as "Internal note" and protected by a
workflow of their own: no customer or CC recipient sees them on any page, list,
search, mail, REST call or file URL; the other staff hear of them by a content
rule of their own. Every ticket has a sequential number (``#1042``), shown on
every screen and in mail subjects (``[#1042] Subject``), found by the overview's
search, unique across the instances of a cluster. Staff assign tickets (or take
them: "Assign to me"), set a priority (Low, Normal, High, Urgent) and a
category from a list managers keep in the control panel with its translations;
the new-ticket form asks for a category while the list is not empty. Every
change of state, assignee, priority or category is kept and shown in the
conversation as a short line; customers see only the state changes. The
assignee hears of it by a content rule.
