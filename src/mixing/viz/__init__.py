"""What people read: offline folium maps, static figures and the overview page. Computes
nothing; styles finished tables."""
