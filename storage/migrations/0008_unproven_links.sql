-- A web chat never proves whose number it typed (its session id is the visitor's choice), so
-- its link to a record that the number's owner has since verified is not the owner's: before
-- ownership was checked, such a link let the chat change, opt out or erase that record.
-- Registration now removes unproven links when a number is verified; this removes the ones
-- made earlier. (A Telegram link kept no record of whether a contact proved it; those stay.)
DELETE FROM channel_identities
 WHERE channel = 'web'
   AND respondent_id IN (SELECT id FROM respondents WHERE status = 'verified');
