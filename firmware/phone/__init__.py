"""The public phone pages: a ticket followed live on the customer's own phone (issue 25)."""
