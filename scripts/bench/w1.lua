-- W1: a single small call, so the time is start-up plus one round trip.
print(app.integrations.close.get_current_user({}).first_name)
