console.log('booking chat');
